-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
# a comment; here
CREATE TABLE `we;ird` (id int); # trailing
SELECT 1;

-- +downgrade
SELECT 1;
