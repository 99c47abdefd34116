SELECT 1;
-- c
SELECT
  2;
