"""Earlier implementations kept only as references: tests check the fast code in src/ gives
the same output as these (one regular expression per word list or trigger word; spaCy's
sentencizer over Token objects)."""
