"""Release extras: each module here exposes `ORDER: int` and
`extend(release_dir: Path, ctx: BuildContext) -> None`, run on the staged release before the
card is rendered and before validation (e.g. add a card section to ctx.extra, write
croissant.json). Discovered automatically so stages never edit build.py."""
