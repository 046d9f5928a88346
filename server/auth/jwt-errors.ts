// Maps jose's verification failures to short 401 messages (never including the token itself).
import { loadJose } from './jose.js';
import { isDjpError, type DjpError } from '../../shared/api/index.js';
import { unauthorized } from './types.js';

export async function toUnauthorized(e: unknown, what: string): Promise<DjpError> {
  if (isDjpError(e)) return e;
  const { errors } = await loadJose();
  if (e instanceof errors.JWTExpired) return unauthorized(`${what} has expired`);
  if (e instanceof errors.JWTClaimValidationFailed) return unauthorized(`${what} claim "${e.claim}" is not accepted (${e.reason})`);
  if (e instanceof errors.JWSSignatureVerificationFailed) return unauthorized(`${what} signature does not verify`);
  if (e instanceof errors.JWKSNoMatchingKey) return unauthorized(`${what} is signed by an unknown key`);
  if (e instanceof errors.JOSEAlgNotAllowed) return unauthorized(`${what} uses a signing algorithm that is not accepted`);
  if (e instanceof errors.JWTInvalid || e instanceof errors.JWSInvalid) return unauthorized(`${what} is malformed`);
  if (e instanceof errors.JWKSTimeout) return unauthorized(`${what} could not be verified: key endpoint timed out`);
  return unauthorized(`${what} could not be verified`);
}
