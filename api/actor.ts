/** Who is calling, as the offer's history names them: an operator key, or the publisher of the path. */
import type { Response } from 'express';
import { publisherActor, type Actor } from '../domain/history';
import type { Principal } from './auth';

export function actorOf(res: Response, publisherId: string): Actor {
  const principal = res.locals.principal as Principal | undefined;
  return principal?.kind === 'operator' ? 'operator' : publisherActor(publisherId);
}
