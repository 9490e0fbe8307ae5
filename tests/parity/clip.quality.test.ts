/**
 * The bundled CLIP's quality bar, measured the way the model card reports it: held-out
 * ShapesWorld scenes drawn at several sizes and styles, through transformers.js.
 */
import { evaluateClip } from '../../training/eval/clip.ts';
import { describeQualityBar } from './quality-bar.ts';

// Always the shipped model (the forge's smoke run checks only clip.parity.test.ts on its own model).
describeQualityBar('bundled CLIP quality on held-out scenes', () => evaluateClip('static/models/shapes-clip', 200));
