"""The model forge: trains the tiny bundled models on ShapesWorld and exports them in the Hugging
Face hub's layout, with PyTorch goldens for the parity tests. Shared parts here (data, loop,
export, quantize, checkpoint, pinned), one folder per family in families/. Command line:
__main__.py; the whole forge, with the TypeScript steps: training/forge.sh."""
