"""handoff: the MQL-to-SQL handoff as software, beside HubSpot or Salesforce.

The one import package of the `handoff-revops` distribution. Its subpackages are the repository's
top-level folders (`config/`, `lifecycle/`, `connectors/`, `store/`, `sync/`, `sandbox/`), linked
here so that the source tree, the type checker, the layer contracts and the wheel all see one
package; nothing else lands in site-packages.
"""

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "handoff-revops"

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
