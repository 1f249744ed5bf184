/** Typed errors of the API's access control (401 lives in `errors.ts`: AuthenticationError). */
import { BusinessError } from '../../errors';
import type { Role } from './principal';

/** The caller is known but holds none of the roles the route needs: HTTP 403. */
export class ForbiddenError extends BusinessError {
  constructor(required: readonly Role[], held: readonly Role[]) {
    super('AUTH.FORBIDDEN', `this request needs one of the roles ${required.join(', ')}`, { required, held });
  }
}
