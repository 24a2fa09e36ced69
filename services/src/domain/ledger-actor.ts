/**
 * Which Fabric identity acts for a portal user: their own identity when the wallet holds one
 * (enrolled under their user id in their organisation), else their organisation's identity for
 * the role (`officer`, `coordinator`, `auditor`, `admin`), as DEVELOPERS.md names them.
 */
import { ForbiddenError } from '../errors';
import type { Principal, Role } from '../identity/principal';
import type { FabricActor, FabricLedger } from '../ledger/fabric/fabric-ledger';

/**
 * The actor for a principal acting in `role`.
 *
 * @throws {@link ForbiddenError} `LEDGER.NO_IDENTITY` when the user has no organisation or the
 *   wallet holds no identity for them or their role.
 */
export function actorFor(fabric: FabricLedger, principal: Principal, role: Role): FabricActor {
  if (principal.org === null) throw new ForbiddenError('LEDGER.NO_IDENTITY', 'Your account belongs to no organisation on the ledger');
  const personal = { mspId: principal.org, identity: principal.userId };
  if (fabric.hasIdentity(personal)) return personal;
  const shared = { mspId: principal.org, identity: role };
  if (fabric.hasIdentity(shared)) return shared;
  throw new ForbiddenError('LEDGER.NO_IDENTITY', `The ledger wallet holds no ${role} identity of ${principal.org}`);
}
