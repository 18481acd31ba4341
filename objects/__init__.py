"""The LwM2M data model: paths, resource types, object and resource definitions,
instance storage, and the standard OMA objects. Standard library only."""
