"""Activities: the automated steps. Classes whose constructor gets their dependencies."""
