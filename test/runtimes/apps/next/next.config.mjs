// Two builds of one app (the Node and the Edge route): each in its own folder.
export default { distDir: process.env.NEXT_DIST_DIR ?? '.next' };
