from whitenoise.storage import CompressedManifestStaticFilesStorage


class PortalStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Production's static files (whitenoise: compressed, hashed names). The URL of a file is looked up in the
    manifest once per process: the manifest does not change while the process runs, and every page asks for the
    same few files (DSFR styles and scripts, favicons) several times."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)
            return url
