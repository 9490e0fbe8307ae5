"""shapes-lm in the hub's Llama layout (placeholder until the export is written)."""
from forge.export import Export


class LmExport(Export):
    pass
