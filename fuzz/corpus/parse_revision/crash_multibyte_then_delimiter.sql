-- Ünïcödé ✓ message
-- Revision ID: u1
-- +upgrade
INSERT Ié ✓ message
-- Revision ID: u1
-age
--rade
INSNTO t VALUES ('é;ß');
SELECT '🙂';
