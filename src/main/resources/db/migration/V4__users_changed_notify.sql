-- Every change of a user row is announced on the user_changed channel inside the changing
-- transaction, so it is delivered at commit and never for a rollback: each instance's cache of
-- user rows (meservice.me.UserCache) forgets what it holds for that user. A trigger rather than the
-- service's own statements, so that every writer is covered: the PATCH upsert, `user set-staff`,
-- and an operator's hand edit, a data migration or a deletion.
--
-- A change always raises the version (the service's writes already do; a hand edit that does not
-- is given version + 1): a cache then tells an older row from a newer one by its version alone, and
-- an ETag never names two different representations.
CREATE FUNCTION users_version_grows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.version <= OLD.version THEN
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER users_version_grows BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION users_version_grows();

-- Payload: '<id>:<version>' for a row written, '<id>:' for a row deleted, '*' for a truncation.
CREATE FUNCTION users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('user_changed', '*');
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('user_changed', OLD.id::text || ':');
  ELSE
    PERFORM pg_notify('user_changed', NEW.id::text || ':' || NEW.version);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER users_changed AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION users_changed();
CREATE TRIGGER users_truncated AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION users_changed();
