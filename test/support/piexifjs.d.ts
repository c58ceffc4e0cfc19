declare module 'piexifjs';
