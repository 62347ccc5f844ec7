import { DataServiceConfig } from '@storage/config';

export class MypageConfig extends DataServiceConfig {
  override PORT: number = 8084;
}
