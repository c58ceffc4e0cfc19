// The same suite against the Node fast path (createNodeLivenessProxy(...).node), which npm run serve uses.
export {};
process.env.PROXY_ADAPTER = 'node';
await import('./proxy.test.ts');
