"""Fine-tuning: manifests and splits, cached preprocessing, and the training loop."""
