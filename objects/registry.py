"""Where definitions are looked up: by object id (the default version) or id and version.

The content formats ask ``type_of(path)`` to decode values of formats that carry no type
(TLV, plain text, LwM2M-CBOR); applications register their own objects with ``add``.
"""

from objects import standard
from objects.definitions import ObjectDefinition, ResourceDefinition

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from objects.path import Path


class Registry:
    """Object definitions by id and version; one version per id is the default.

    Standard objects are entered by (id, version) and built from their tables on first
    lookup, so a registry of every standard object costs little until it is used.
    """

    __slots__ = ("_default_types", "_defaults", "_versions")

    def __init__(self, definitions: "Iterable[ObjectDefinition]" = ()) -> None:
        self._defaults: dict[int, str] = {}
        # oid -> {rid: type} of the default version, filled by type_of / types_of.
        self._default_types: dict[int, dict[int, int]] = {}
        # None stands for a standard table not built yet.
        self._versions: dict[int, dict[str, ObjectDefinition | None]] = {}
        for definition in definitions:
            self.add(definition, default=definition.id not in self._defaults)

    def add(self, definition: ObjectDefinition, default: bool = True) -> None:
        """Register ``definition`` (replacing one of the same id and version).

        With ``default`` it becomes what ``get(oid)`` answers; the first version added for
        an id is always the default.
        """
        self._enter(definition.id, definition.version, definition, default)

    def add_standard(self, oid: int, version: str, default: bool = True) -> None:
        """Register a standard object (``objects.standard``) by id and version."""
        if (oid, version) not in standard.ALL:
            raise ValueError("no standard table for object %d version %s" % (oid, version))
        self._enter(oid, version, None, default)

    def _enter(
        self, oid: int, version: str, definition: "ObjectDefinition | None", default: bool
    ) -> None:
        self._versions.setdefault(oid, {})[version] = definition
        self._default_types.pop(oid, None)
        if default or oid not in self._defaults:
            self._defaults[oid] = version

    def remove(self, oid: int) -> None:
        """Forget every version of object ``oid``."""
        self._defaults.pop(oid, None)
        self._versions.pop(oid, None)
        self._default_types.pop(oid, None)

    def get(self, oid: int, version: "str | None" = None) -> "ObjectDefinition | None":
        """The definition of ``oid`` (its default version, or ``version``), or None."""
        if version is None:
            version = self._defaults.get(oid)
            if version is None:
                return None
        versions = self._versions.get(oid)
        if versions is None or version not in versions:
            return None
        definition = versions[version]
        if definition is None:
            definition = standard.find(oid, version)
            versions[version] = definition
        return definition

    def default_version(self, oid: int) -> "str | None":
        """The version ``get(oid)`` answers, or None for an unknown object."""
        return self._defaults.get(oid)

    def versions(self, oid: int) -> "list[str]":
        """Every version known for ``oid``, ascending."""
        return sorted(self._versions.get(oid, {}), key=_version_key)

    def ids(self) -> "list[int]":
        """Every known object id, ascending."""
        return sorted(self._defaults)

    def __contains__(self, oid: int) -> bool:
        return oid in self._defaults

    def __len__(self) -> int:
        return len(self._defaults)

    def resource(self, path: "Path") -> "ResourceDefinition | None":
        """The definition of the resource a path of 3 or 4 ids names, or None."""
        if len(path) < 3:
            return None
        definition = self.get(path[0])
        return None if definition is None else definition.resources.get(path[2])

    def type_of(self, path: "Path") -> "int | None":
        """The resource type (``objects.types``) at a resource or resource-instance path."""
        if len(path) < 3:
            return None
        types = self._default_types.get(path[0])
        if types is None:
            types = self.types_of(path[0])
            if types is None:
                return None
        return types.get(path[2])

    def types_of(self, oid: int) -> "dict[int, int] | None":
        """Resource id -> type for the default version of ``oid`` (do not modify it)."""
        types = self._default_types.get(oid)
        if types is None:
            definition = self.get(oid)
            if definition is None:
                return None
            types = definition.types
            self._default_types[oid] = types
        return types

    def copy(self) -> "Registry":
        """An independent registry with the same definitions and defaults."""
        other = Registry()
        for oid, versions in self._versions.items():
            other._versions[oid] = dict(versions)
        other._defaults = dict(self._defaults)
        other._default_types = dict(self._default_types)
        return other


def _version_key(version: str) -> "tuple[int, ...]":
    parts = []
    for part in version.split("."):
        parts.append(int(part) if part.isdigit() else -1)
    return tuple(parts)


def standard_registry(lwm2m_version: str = "1.1") -> Registry:
    """A new registry holding the standard objects.

    With ``lwm2m_version="1.0"`` the Security and Server defaults are their 1.0 versions
    (for a client that talks LwM2M 1.0); the other versions stay available by version.
    """
    registry = Registry()
    for oid, version in standard.ALL:
        registry.add_standard(oid, version, default=False)
    if lwm2m_version == "1.0":
        for oid, version in standard.LWM2M_1_0_VERSIONS:
            registry.add_standard(oid, version)
    elif lwm2m_version != "1.1":
        raise ValueError("LwM2M version must be '1.0' or '1.1', not %r" % (lwm2m_version,))
    return registry


# The shared default registry (LwM2M 1.1). Applications may ``add`` their own objects.
REGISTRY = standard_registry()


def get_definition(oid: int, version: "str | None" = None) -> "ObjectDefinition | None":
    """``REGISTRY.get``: the definition of object ``oid``, or None."""
    return REGISTRY.get(oid, version)


def type_of(path: "Path") -> "int | None":
    """``REGISTRY.type_of``: the resource type at ``path``, or None when unknown."""
    return REGISTRY.type_of(path)
