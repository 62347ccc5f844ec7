import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TokenIssuer } from '../../../application/ports/token-issuer.port';
import { IssuedTokenResponse, IssueTokenRequest, JsonWebKeySetResponse } from './auth.dto';

/**
 * The dev issuer's endpoints: only mounted when DEV_ISSUER_ENABLED=true (see GatewayModule). In a
 * real deployment the identity provider (Keycloak) issues tokens and publishes its keys instead.
 */
@ApiTags('auth (dev issuer)')
@Controller()
export class AuthHttpController {
  constructor(private readonly issuer: TokenIssuer) {}

  @Post('auth/token')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Development only: a signed access token for any subject and role',
    description: 'Paste the accessToken into "Authorize" to call the API from this page.',
  })
  @ApiOkResponse({ type: IssuedTokenResponse })
  issue(@Body() body: IssueTokenRequest): Promise<IssuedTokenResponse> {
    return this.issuer.issue(body.subject, body.role, body.expiresInSeconds);
  }

  @Get('.well-known/jwks.json')
  @ApiOperation({ summary: "The dev issuer's public signing key, as a JWKS (what JWKS_URL would point at)" })
  @ApiOkResponse({ type: JsonWebKeySetResponse })
  jwks(): JsonWebKeySetResponse {
    return this.issuer.jwks();
  }
}
