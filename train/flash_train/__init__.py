"""flash train: fine-tune a Hugging Face checkpoint on flash's dataset, rendered by flash."""
