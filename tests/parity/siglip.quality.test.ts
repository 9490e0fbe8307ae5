/**
 * The bundled SigLIP's quality bar, the same as the bundled CLIP's and measured the same way
 * (held-out ShapesWorld scenes drawn at several sizes and styles, through transformers.js).
 */
import { evaluateSiglip } from '../../training/eval/siglip.ts';
import { describeQualityBar } from './quality-bar.ts';

// Always the shipped model (the forge's smoke run checks only siglip.parity.test.ts on its own model).
describeQualityBar('bundled SigLIP quality on held-out scenes', () => evaluateSiglip('static/models/shapes-siglip', 200));
