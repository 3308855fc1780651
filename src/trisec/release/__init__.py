"""Stage 3, spans -> tables -> release: the build orchestration (`pipeline`, `build`), rows of
every config (`assemble`), Parquet + manifest writing (`writer`), card, datasheet, stats, extras
(leaderboard, Croissant), and what happens to a release afterwards (archive, standoff, diff,
publish)."""
