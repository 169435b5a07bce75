"""The static site: pages rendered from the catalog (`pages`, one module per page kind),
HTML and Markdown building blocks (`markup`), addition dates (`history`), assets, the
MkDocs build with its atomic swap (`build`) and `sokkit serve` (`serve`)."""

from .build import SiteBuildError, UnsafeOutput, build_site, check_out
from .serve import serve

__all__ = ["SiteBuildError", "UnsafeOutput", "build_site", "check_out", "serve"]
