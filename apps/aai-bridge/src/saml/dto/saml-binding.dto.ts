import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

/** GET /saml/login and /saml/logout: where to land afterwards (a path, the bridge or a trusted dashboard). */
export class ReturnToQueryDto {
  @ApiPropertyOptional({ example: '/cli', description: 'a path of the bridge, or a URL of the bridge or a trusted dashboard' })
  @IsOptional()
  @IsString()
  returnTo?: string;
}

/** GET /saml/login: where to land afterwards, and at which IdP to log in (else: discovery). */
export class LoginQueryDto extends ReturnToQueryDto {
  @ApiPropertyOptional({
    example: 'https://idp.infn.it/idp/shibboleth',
    description: "the IdP's entityID; omitted with several IdPs: discovery",
  })
  @IsOptional()
  @IsString()
  idp?: string;
}

/**
 * The IdP's POST to the ACS (HTTP-POST binding). Both optional here: a POST without a response is
 * a refused login (403, counted and audited like any other), not a malformed request.
 */
export class AcsFormDto {
  @IsOptional()
  @IsString()
  SAMLResponse?: string;

  @IsOptional()
  @IsString()
  RelayState?: string;
}

/** /saml/slo on the POST binding: the IdP's LogoutRequest or its LogoutResponse to ours. */
export class SloFormDto {
  @ApiPropertyOptional({ description: "the IdP's LogoutRequest (deflated and base64 on the Redirect binding)" })
  @IsOptional()
  @IsString()
  SAMLRequest?: string;

  @ApiPropertyOptional({ description: "the IdP's LogoutResponse to ours" })
  @IsOptional()
  @IsString()
  SAMLResponse?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  RelayState?: string;
}

/**
 * /saml/slo on the Redirect binding: a signed LogoutRequest or LogoutResponse; without either it
 * is a local logout (returnTo as for /saml/logout).
 */
export class SloQueryDto extends SloFormDto {
  @ApiPropertyOptional({ description: 'the signature algorithm of a signed Redirect-binding message' })
  @IsOptional()
  @IsString()
  SigAlg?: string;

  @ApiPropertyOptional({ description: 'the signature of a signed Redirect-binding message' })
  @IsOptional()
  @IsString()
  Signature?: string;

  @ApiPropertyOptional({ description: 'without SAMLRequest or SAMLResponse: where to land after a local logout' })
  @IsOptional()
  @IsString()
  returnTo?: string;
}
