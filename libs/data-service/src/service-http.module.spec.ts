import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpService } from '@nestjs/axios';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { isAxiosError } from 'axios';
import { ServiceHttpModule } from './service-http.module';

describe('ServiceHttpModule', () => {
  let server: Server;
  let baseUrl: string;
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  let context: INestApplicationContext;
  let http: HttpService;

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ url: request.url ?? '', headers: request.headers });
      if (request.url === '/moved') {
        response.writeHead(302, { location: '/elsewhere' }).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    context = await NestFactory.createApplicationContext(ServiceHttpModule, { logger: false });
    http = context.get(HttpService);
  });

  afterAll(async () => {
    await context.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('traces every call: the callee gets a traceparent', async () => {
    const response = await http.axiosRef.get<{ ok: boolean }>(`${baseUrl}/answer`);
    expect(response.data).toEqual({ ok: true });
    expect(seen).toHaveLength(1);
    expect(seen[0].headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  });

  it('does not follow a redirect: the 3xx is the answer, as an error', async () => {
    const failure: unknown = await http.axiosRef.get(`${baseUrl}/moved`).catch((error: unknown) => error);
    expect(isAxiosError(failure) && failure.response?.status).toBe(302);
    expect(seen.map(({ url }) => url)).toEqual(['/moved']);
  });
});
