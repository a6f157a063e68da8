-- Scratch databases of earlier restore checks of this database that did not get to drop theirs.
SELECT datname FROM pg_database WHERE left(datname, length(:prefix)) = :prefix
