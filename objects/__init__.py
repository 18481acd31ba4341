"""The LwM2M data model: paths, resource types, object and resource definitions,
instance storage, and the standard OMA objects. Standard library only.

Public names:

- ``objects.types``: resource type constants (``STRING`` ... ``CORELNK``), ``NAMES``,
  ``validate(rtype, value)``, ``is_valid``, ``normalise``.
- ``objects.path``: ``parse_path``, ``format_path``, ``is_prefix``, ``PathError``.
- ``objects.errors``: ``ObjectError(code, message)`` and ``BadRequest``, ``Unauthorized``,
  ``NotFound``, ``MethodNotAllowed``, ``NotAcceptable``, ``RequestEntityIncomplete``,
  ``RequestEntityTooLarge``, ``UnsupportedContentFormat``, ``InternalServerError``.
- ``objects.definitions``: ``ObjectDefinition``, ``ResourceDefinition``, ``Range``,
  ``parse_range``, ``parse_operations``, operation flags ``OP_R`` ... ``OP_E``, ``define``.
- ``objects.standard``: the standard objects' tables; ``definition(oid, version=None)``,
  ``find``, ``DEFAULTS`` / ``LWM2M_1_0_VERSIONS`` / ``ALL`` as (id, version) pairs, object id
  constants (``SECURITY``, ``SERVER``, ``DEVICE``, ...).
- ``objects.registry``: ``Registry``, ``standard_registry``, ``REGISTRY``,
  ``get_definition``, ``type_of``.
- ``objects.base``: ``BaseObject`` (instances, read / write / execute / create / delete /
  discover, hooks, change listeners), ``CALLER_LOCAL``, ``CALLER_BOOTSTRAP``.
- ``objects.execute``: ``parse_execute_arguments``.
- ``objects.ddf`` (CPython only, not imported here): ``load_ddf``, ``DDFError``.
"""

from objects.base import CALLER_BOOTSTRAP, CALLER_LOCAL, BaseObject
from objects.definitions import (
    OP_E,
    OP_NONE,
    OP_R,
    OP_RW,
    OP_W,
    ObjectDefinition,
    Range,
    ResourceDefinition,
    define,
    parse_operations,
    parse_range,
)
from objects.errors import (
    BadRequest,
    InternalServerError,
    MethodNotAllowed,
    NotAcceptable,
    NotFound,
    ObjectError,
    RequestEntityIncomplete,
    RequestEntityTooLarge,
    Unauthorized,
    UnsupportedContentFormat,
)
from objects.execute import parse_execute_arguments
from objects.path import PathError, format_path, is_prefix, parse_path
from objects.registry import REGISTRY, Registry, get_definition, standard_registry, type_of

__all__ = [
    "CALLER_BOOTSTRAP",
    "CALLER_LOCAL",
    "OP_E",
    "OP_NONE",
    "OP_R",
    "OP_RW",
    "OP_W",
    "REGISTRY",
    "BadRequest",
    "BaseObject",
    "InternalServerError",
    "MethodNotAllowed",
    "NotAcceptable",
    "NotFound",
    "ObjectDefinition",
    "ObjectError",
    "PathError",
    "Range",
    "Registry",
    "RequestEntityIncomplete",
    "RequestEntityTooLarge",
    "ResourceDefinition",
    "Unauthorized",
    "UnsupportedContentFormat",
    "define",
    "format_path",
    "get_definition",
    "is_prefix",
    "parse_execute_arguments",
    "parse_operations",
    "parse_path",
    "parse_range",
    "standard_registry",
    "type_of",
]
