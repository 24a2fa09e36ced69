// Which pages to offer a person: the router's routes filtered by their access rules, so the
// navigation and the home page can never offer a page the router would refuse.
import type { RouteMeta } from 'vue-router';
import { decideAccess, type SessionUser } from './auth/access';
import type { MessageKey } from './i18n/translate';
import { routes } from './router';

/** A page as a link: its route name, its title and whether it is still a placeholder. */
export interface PageLink {
  readonly name: string;
  readonly titleKey: MessageKey;
  readonly coming: boolean;
}

/** The pages `user` may open whose meta passes `include`, in the router's order. */
export function pageLinks(user: SessionUser | null, include: (meta: RouteMeta) => boolean): PageLink[] {
  return routes.flatMap((route) =>
    route.meta !== undefined &&
    typeof route.name === 'string' &&
    include(route.meta) &&
    decideAccess(route.meta.roles, user) === 'allow'
      ? [{ name: route.name, titleKey: route.meta.titleKey, coming: route.meta.coming === true }]
      : [],
  );
}
