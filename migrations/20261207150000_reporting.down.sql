-- Roles made by `quorum reporting grant` keep existing; they only lose what this schema held.
DROP SCHEMA reporting CASCADE;
