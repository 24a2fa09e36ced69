// The one composable for calling the API from a page: it tracks whether a call is pending,
// keeps the last error for display, and turns a refused token (401) into a fresh sign-in
// that returns to the same page afterwards.
import { ref, shallowRef } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { ApiError, toApiError } from '../api/errors';
import { signOut } from '../auth/session';

/**
 * Wraps `fn` for use in a component. `run` never throws: it resolves to the result, or to
 * undefined after putting the failure in `error`.
 */
export function useAsync<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const router = useRouter();
  const route = useRoute();
  const pending = ref(false);
  const error = shallowRef<ApiError | null>(null);

  async function run(...args: A): Promise<R | undefined> {
    pending.value = true;
    error.value = null;
    try {
      return await fn(...args);
    } catch (thrown) {
      const failure = toApiError(thrown);
      if (!(thrown instanceof ApiError)) console.error(thrown);
      error.value = failure;
      if (failure.status === 401) {
        signOut();
        await router.push({ name: 'sign-in', query: { redirect: route.fullPath, reason: 'ended' } });
      }
      return undefined;
    } finally {
      pending.value = false;
    }
  }

  return { run, pending, error };
}
