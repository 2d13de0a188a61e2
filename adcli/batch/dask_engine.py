"""--engine dask: the batch over the shards on a Dask cluster."""

from ..errors import UsageError


def run_dask(points, fn, make_kernel, *, fmt=None, input_format=None, digits=None, out=None,
             scheduler=None):
    raise UsageError("--engine dask is not ready yet", hint="use --engine local")
