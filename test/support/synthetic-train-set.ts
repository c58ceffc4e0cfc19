/**
 * The learned finder's second source of training scenes: the project's own synthetic renderer (card-scene.mjs), with
 * seeds that neither its benchmark (17) nor the fake cameras use. Its cards are flat-coloured, with another layout,
 * on other tables, and passports: trained on the realistic set alone, the model refused 9 in 10 of these plain cards
 * that the classical detector finds, so it had learned one card design, not what a card is.
 * Written at the model's input size beside the realistic train split, for scripts/corner-model/train.py.
 * `node --import tsx test/support/synthetic-train-set.ts` renders it (in two processes).
 */
import { fileURLToPath } from 'node:url';
import { sceneSet } from './card-scene.mjs';
import { type Scene, renderGray } from './corner-scenes.ts';
import { modelInputBytes, renderTrainInHalves, writeTrainPart } from './real-corner-set.ts';

/** Scenes with a document and without; train.py reads the count from the file name. */
export const SYNTHETIC_TRAIN = { seed: 1001, cards: 2400, empty: 600 };
/** Bump when card-scene.mjs's renderer changes (train.py reads it too). */
export const SYNTHETIC_VERSION = 1;
const FOLDER = fileURLToPath(new URL('../fixtures/generated/', import.meta.url));

const base = (from: number, count: number) => `${FOLDER}synthetic-corners-${SYNTHETIC_VERSION}-train-${from}-${count}`;

async function renderRange(from: number, count: number): Promise<void> {
  const scenes = sceneSet({ seed: SYNTHETIC_TRAIN.seed, cards: SYNTHETIC_TRAIN.cards, empty: SYNTHETIC_TRAIN.empty }).slice(
    from,
    from + count,
  );
  const chunks: Uint8Array[] = [];
  const meta: unknown[] = [];
  for (const scene of scenes) {
    const image = await renderGray(scene as Scene);
    const input = modelInputBytes(image);
    chunks.push(input.bytes);
    meta.push({
      kind: scene.kind,
      corners: scene.kind === 'id-card' || scene.kind === 'passport' ? scene.corners : undefined,
      width: input.width,
      height: input.height,
    });
  }
  writeTrainPart(base(from, count), chunks, meta);
}

/** Renders the whole set in two processes, then joins the halves; skipped when it is already there. */
export async function renderSyntheticTrain(): Promise<void> {
  const total = SYNTHETIC_TRAIN.cards + SYNTHETIC_TRAIN.empty;
  await renderTrainInHalves(fileURLToPath(import.meta.url), 'synthetic train scenes', 0, total, base);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [flag, from, count] = process.argv.slice(2);
  if (flag === '--part') await renderRange(Number(from), Number(count));
  else await renderSyntheticTrain();
}
