/**
 * The learned finder's third source of training scenes: crops as its closer look takes them (closerCrop in
 * learned.ts), one a scene, cut from full frames of the realistic train split's first 36,000 scenes (the 9,000 the
 * whole-frame training reads and 27,000 more; train.py's second stage reads the crops of the first 18,000, its third
 * all of them). The closer look decides most cards, and up close the network saw what it never trained on:
 * a few hundred of the frame's pixels shrunk less, so the card's plain face, its texture and the JPEG's blocks look
 * other than in a whole frame, and it called half a plain card "not card" (tune split: 7 cards found by the first
 * look were lost by the closer one). Each crop is cut around the object's outline moved as a first look misses it
 * (each corner by about 3 % of the diagonal): a card's, a look-alike's (judged again up close, it must stay
 * refused), or on a bare surface a card-sized box anywhere.
 * Written at the model's input size, corners in the 640 × 480 frame's units as train.py reads them.
 * `node --import tsx test/support/closer-train-set.ts` renders it (in two processes), and the train split's whole frames on the way.
 */
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Point, Quad } from '../../src/quality/corners/geometry.ts';
import { cropGray } from '../../src/quality/corners/gray-image.ts';
import { closerCrop } from '../../src/quality/corners/learned.ts';
import { HEIGHT, WIDTH, sceneSpec } from './real-scenes.mjs';
import { seededRandom } from './random.mjs';
import {
  type RealSpec,
  SPLIT_SIZE,
  VERSION,
  halves,
  joinParts,
  modelInputBytes,
  renderOne,
  renderTrainInHalves,
  trainFrame,
  trainFramesBase,
  writeTrainPart,
} from './real-corner-set.ts';
import { loadSurfaces } from './surfaces.mjs';

/** The train split's scenes cut into crops; train.py reads the range from the file name. */
export const CLOSER_TRAIN = { from: 0, count: 36000 };
const FOLDER = fileURLToPath(new URL('../fixtures/generated/', import.meta.url));

const base = (from: number, count: number) => `${FOLDER}closer-corners-${VERSION}-train-${from}-${count}`;

/** A first look's quad: the outline with each corner moved by a normal spread of `spread` × its diagonal. */
function missedBy(outline: readonly Point[], spread: number, random: () => number): Quad {
  const diagonal = Math.hypot(outline[2].x - outline[0].x, outline[2].y - outline[0].y);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return outline.map((p) => ({ x: p.x + normal() * spread * diagonal, y: p.y + normal() * spread * diagonal })) as Quad;
}

/** On a bare surface, a card-sized box (its long side 22–90 % of the frame's width) anywhere in the frame. */
function anyBox(random: () => number): Quad {
  const w = WIDTH * (0.22 + random() * 0.68);
  const h = w * 0.63;
  const x = random() * (WIDTH - w);
  const y = random() * Math.max(1, HEIGHT - h);
  return [
    { x, y },
    { x: x + w, y },
    { x: x + w, y: y + h },
    { x, y: y + h },
  ];
}

async function renderRange(from: number, count: number): Promise<void> {
  const surfaces = await loadSurfaces();
  const chunks: Uint8Array[] = [];
  const meta: unknown[] = [];
  const frames = { chunks: [] as Uint8Array[], meta: [] as unknown[] };
  for (let i = from; i < from + count; i++) {
    const spec = sceneSpec('train', i, surfaces) as unknown as RealSpec;
    const rendered = await renderOne(spec, surfaces);
    const { corners, outline, image } = rendered;
    if (i < SPLIT_SIZE.train) {
      const frame = trainFrame(spec, rendered);
      frames.chunks.push(frame.bytes);
      frames.meta.push(frame.meta);
    }
    const random = seededRandom(0x6c05e + i);
    const box = closerCrop(outline ? missedBy(outline, 0.03, random) : anyBox(random), image.width, image.height);
    // No crop when the object nearly fills the frame: the first look has the last word there.
    if (!box) continue;
    const input = modelInputBytes(cropGray(image, box.left, box.top, box.width, box.height));
    // Corners in the units train.py reads: a 640 × 480 frame's pixels, which the crop now fills.
    const toFrame = (p: Point) => ({ x: ((p.x - box.left) * WIDTH) / box.width, y: ((p.y - box.top) * HEIGHT) / box.height });
    const cropCorners = corners?.map(toFrame);
    chunks.push(input.bytes);
    meta.push({
      ...spec,
      index: i,
      corners: cropCorners,
      share: cropCorners
        ? Math.max(
            Math.hypot(cropCorners[1].x - cropCorners[0].x, cropCorners[1].y - cropCorners[0].y),
            Math.hypot(cropCorners[2].x - cropCorners[3].x, cropCorners[2].y - cropCorners[3].y),
          ) / WIDTH
        : 0,
      width: input.width,
      height: input.height,
    });
  }
  writeTrainPart(base(from, count), chunks, meta);
  if (frames.chunks.length) writeTrainPart(trainFramesBase(from, frames.chunks.length), frames.chunks, frames.meta);
}

/**
 * Renders the crops in two processes, then joins the halves; skipped when they are already there. The scenes the
 * train split's whole frames come from are among them, so their frames are written on the way (train.py's first
 * source, as `real-corner-set.ts train` renders it, byte for byte) rather than rendered again.
 */
export async function renderCloserTrain(): Promise<void> {
  const { from, count } = CLOSER_TRAIN;
  // Fetched and cached here, once: children racing to apt-get and unpack the same files read half-written ones.
  await loadSurfaces();
  const frames = trainFramesBase(0, SPLIT_SIZE.train);
  if (!existsSync(`${frames}.json`)) rmSync(`${base(from, count)}.json`, { force: true });
  await renderTrainInHalves(
    fileURLToPath(import.meta.url),
    "closer-look train crops and the train split's whole frames, from scenes",
    from,
    count,
    base,
  );
  // Each half wrote the whole frames of its scenes below the train split's end.
  const parts = halves(from, count).map(([start, n]) => [start, Math.max(0, Math.min(start + n, SPLIT_SIZE.train) - start)] as const);
  joinParts(
    parts.filter(([, n]) => n > 0),
    trainFramesBase,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [flag, from, count] = process.argv.slice(2);
  if (flag === '--part') await renderRange(Number(from), Number(count));
  else await renderCloserTrain();
}
