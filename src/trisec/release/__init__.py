"""Level 5, AnnotatedDocument -> release folder: the build (`build`, over the pipeline's
steps), rows of every config (`assemble`), Parquet + manifest writing (`writer`), card,
datasheet, stats, extras (card sections, leaderboard, Croissant), and what happens to a release
afterwards (opener, replace, archive, standoff, diff, publish). docs/ARCHITECTURE.md."""
