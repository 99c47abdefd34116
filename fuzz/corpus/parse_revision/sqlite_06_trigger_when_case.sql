-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
CREATE TRIGGER IF NOT EXISTS tg BEFORE UPDATE ON t FOR EACH ROW WHEN NEW.x > 0
BEGIN
  SELECT CASE WHEN NEW.x > 10 THEN RAISE(ABORT, 'too big; stop') END;
END;
SELECT 3;

-- +downgrade
SELECT 1;
