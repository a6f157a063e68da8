"""Database maintenance: statistics, vacuum, reindex, backups and health (the seed's maintenance
procedures). Plain Python + SQL (sql/maintenance/); the Dagster layer is defs/maintenance/."""
