export { authFromEnv, authModeFromEnv, isTruthy, type AuthSetup, type Env } from './config.js';
export { AUTH_MODES, AuthConfigError, type AuthMode, type Authenticator } from './types.js';
export { createNoAuthenticator, isLoopbackHost, localUser } from './none.js';
export { createAlbAuthenticator, ALB_HEADER } from './alb.js';
export { createJwksAuthenticator, IAP_HEADER, CLOUDFLARE_HEADER, IAP_ISSUER } from './jwks.js';
export { createProxyAuthenticator, parseProxyHeader, parseTrustedProxies, isTrusted, DEFAULT_PROXY_HEADER, IDENTITY_HEADERS, type ProxyLog } from './proxy.js';
