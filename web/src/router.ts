// Every page of the portal: named, lazily loaded, and marked with who may open it. Planned
// pages are listed now (as clearly marked placeholders) so their addresses never change.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { decideAccess } from './auth/access';
import type { Role } from './auth/roles';
import { currentToken, currentUser } from './auth/session';
import type { MessageKey } from './i18n/translate';
import type { ComingFeature } from './pages/coming';

declare module 'vue-router' {
  interface RouteMeta {
    /** The page's name, for <title> and the navigation. */
    titleKey: MessageKey;
    /** Undefined: public. Otherwise the roles that may open the page (any one suffices). */
    roles?: readonly Role[];
    /** Listed in the main navigation (for those allowed to open it). */
    nav?: boolean;
    /** A placeholder for a page that is planned but not built yet. */
    coming?: boolean;
  }
}

const comingSoon = () => import('./pages/ComingSoonPage.vue');

function planned(path: string, name: string, feature: ComingFeature, titleKey: MessageKey, roles: readonly Role[]): RouteRecordRaw {
  return { path, name, component: comingSoon, props: { feature }, meta: { titleKey, roles, nav: true, coming: true } };
}

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('./pages/HomePage.vue'), meta: { titleKey: 'nav.home' } },
  { path: '/sign-in', name: 'sign-in', component: () => import('./pages/SignInPage.vue'), meta: { titleKey: 'nav.signIn' } },
  {
    path: '/verify',
    name: 'verify',
    component: () => import('./pages/VerifyPage.vue'),
    meta: { titleKey: 'nav.verify', nav: true },
  },
  {
    // Share links are printed and sent as /s/<token>: short, and stable for as long as links live.
    path: '/s/:token',
    name: 'share',
    component: () => import('./pages/SharePage.vue'),
    props: true,
    meta: { titleKey: 'nav.share' },
  },
  {
    path: '/officer/issue',
    name: 'officer-issue',
    component: () => import('./pages/officer/IssueCertificatePage.vue'),
    meta: { titleKey: 'nav.issue', roles: ['officer'], nav: true },
  },
  {
    path: '/officer/batch',
    name: 'officer-batch',
    component: () => import('./pages/officer/BatchIssuePage.vue'),
    meta: { titleKey: 'nav.batchIssue', roles: ['officer'], nav: true },
  },
  {
    path: '/officer/status',
    name: 'officer-status',
    component: () => import('./pages/officer/CertificateStatusPage.vue'),
    meta: { titleKey: 'nav.status', roles: ['officer'], nav: true },
  },
  {
    path: '/wallet',
    name: 'wallet',
    component: () => import('./pages/wallet/WalletPage.vue'),
    meta: { titleKey: 'nav.wallet', roles: ['resident'], nav: true },
  },
  {
    path: '/wallet/certificates/:id',
    name: 'wallet-certificate',
    component: () => import('./pages/wallet/WalletCertificatePage.vue'),
    props: true,
    meta: { titleKey: 'nav.walletCertificate', roles: ['resident'] },
  },
  {
    path: '/wallet/consents',
    name: 'wallet-consents',
    component: () => import('./pages/wallet/ConsentPage.vue'),
    meta: { titleKey: 'nav.consents', roles: ['resident'], nav: true },
  },
  planned('/coordinator', 'coordinator', 'coordinator', 'nav.coordinator', ['coordinator']),
  planned('/provider', 'provider', 'provider', 'nav.provider', ['provider']),
  planned('/audit', 'audit', 'audit', 'nav.audit', ['auditor']),
  planned('/dashboard', 'dashboard', 'dashboard', 'nav.dashboard', ['officer', 'coordinator', 'auditor', 'admin']),
  {
    path: '/forbidden',
    name: 'forbidden',
    component: () => import('./pages/ForbiddenPage.vue'),
    meta: { titleKey: 'errors.forbiddenTitle' },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./pages/NotFoundPage.vue'),
    meta: { titleKey: 'errors.notFoundTitle' },
  },
];

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
});

router.beforeEach((to) => {
  // currentToken() ends a session whose token has expired, so the guard sees it signed out.
  const user = currentToken() === undefined ? null : currentUser();
  switch (decideAccess(to.meta.roles, user)) {
    case 'allow':
      return true;
    case 'sign-in':
      return { name: 'sign-in', query: { redirect: to.fullPath } };
    case 'forbidden':
      return { name: 'forbidden', query: { from: to.fullPath } };
  }
});
