import { Controller, Get, NotFoundException, Param, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { OpenApiDocument } from '../../../application/gateway-openapi';
import { ServiceDocs } from '../../../application/ports/service-docs.port';
import { isUpstreamName, UPSTREAMS } from '../../../application/upstream-routes';
import { apiDocLinks } from './api-doc-links';

class ApiDocLinkResponse {
  @ApiProperty({ example: 'booking' })
  name!: string;

  @ApiProperty({ example: '/docs/services/booking/openapi.json' })
  url!: string;
}

class ApiDocsResponse {
  @ApiProperty({ type: [ApiDocLinkResponse], description: 'Specs the doc page offers right now' })
  specs!: ApiDocLinkResponse[];

  @ApiProperty({ enum: UPSTREAMS, isArray: true, description: 'Services whose spec could not be fetched' })
  unavailable!: string[];
}

/** The per-service specs behind the doc page's selector, rewritten to the gateway's /api paths. */
@ApiTags('docs')
@Controller('docs/services')
export class DocsHttpController {
  constructor(private readonly catalog: ServiceDocs) {}

  @Get()
  @ApiOperation({ summary: 'The API specs the gateway can show now (a service that is down is left out)' })
  @ApiOkResponse({ type: ApiDocsResponse })
  async list(): Promise<ApiDocsResponse> {
    const { available, unavailable } = await this.catalog.available();
    return { specs: apiDocLinks(available), unavailable };
  }

  @Get(':name/openapi.json')
  @ApiOperation({ summary: "One service's OpenAPI as called through the gateway (servers: /api)" })
  @ApiParam({ name: 'name', enum: UPSTREAMS })
  @ApiOkResponse({ description: 'OpenAPI 3 document' })
  @ApiResponse({ status: 404, description: 'No such service' })
  @ApiResponse({ status: 503, description: 'The service does not answer right now' })
  async spec(@Param('name') name: string): Promise<OpenApiDocument> {
    if (!isUpstreamName(name)) {
      throw new NotFoundException(`No service named "${name}"; one of ${UPSTREAMS.join(', ')}`);
    }
    const spec = await this.catalog.spec(name);
    if (!spec) {
      throw new ServiceUnavailableException(`The ${name} service does not answer; its spec is unavailable`);
    }
    return spec;
  }
}
