/// <reference types="vite/client" />

// For tools that read .ts files without Vue's language plugin (eslint's type-aware rules);
// vue-tsc resolves .vue files itself and ignores this declaration.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
