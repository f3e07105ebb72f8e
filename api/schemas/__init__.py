"""Request and response models, one module per resource; `fields` holds the types they share."""
