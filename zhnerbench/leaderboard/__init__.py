"""The leaderboard: every available baseline run over the article and scored by the project's scorer."""
