// Stands in for the app's login (the snippet's `import { auth } from '@/auth'`): everyone is signed in here.
export async function auth(): Promise<{ user: string } | null> {
  return { user: 'test-user' };
}
