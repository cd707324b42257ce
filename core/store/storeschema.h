#pragma once

#include <QString>

class QSqlDatabase;
class QSqlError;

namespace loadscope {

//! The history file's format: checks before opening, connection settings and the versioned
//! migrations kept in PRAGMA user_version (internal to the store, public for tests).
class StoreSchema
{
public:
    //! The schema version this build writes; files with a higher version are refused.
    static constexpr int currentVersion = 7;

    enum Access
    {
        ForWriting,
        ForReading
    };

    //! Checks \a path before SQLite touches it: its directory exists (created if needed), the
    //! file, if any, starts with SQLite's header and (ForWriting) can be written. Never modifies
    //! the file.
    static bool checkFile(const QString &path, QString *error, Access access = ForWriting);
    //! For a read-only connection: the file holds a Loadscope schema this build can read.
    static bool checkReadable(const QSqlDatabase &db, const QString &path, QString *error);
    //! busy_timeout, foreign_keys and synchronous, set on every connection.
    static bool configureConnection(const QSqlDatabase &db, const QString &path, QString *error);
    //! Refuses newer or foreign files, switches to WAL and applies the missing migrations in
    //! one BEGIN IMMEDIATE transaction that reads user_version inside it, so that of two
    //! processes opening a new file at once one migrates and the other waits, then sees it done.
    static bool prepare(const QSqlDatabase &db, const QString &path, QString *error);
    //! Creates a database at \a path holding the version 1 schema (for migration tests).
    static bool createVersion1Database(const QString &path, QString *error);
    //! Creates a database at \a path holding the schema of \a version (1..currentVersion), as
    //! that version's build wrote it (for migration tests).
    static bool createDatabase(const QString &path, int version, QString *error);
    //! PRAGMA user_version, or -1 (with \a error set) when the file cannot be read.
    static int userVersion(const QSqlDatabase &db, const QString &path, QString *error);
    //! "UPDATE performance_test_results SET (figures...) = (... from summary_json)" without a
    //! WHERE clause: the schema's one definition of the list figures (version 5 columns).
    static QString figuresUpdateSql();
    //! A message naming \a path for an SQLite error (not a database, read-only, ...).
    static QString describeError(const QString &path, const QSqlError &error);

private:
    static bool applySteps(const QSqlDatabase &db, const QString &path, int targetVersion,
                           QString *error);
    static bool refuseVersion(const QSqlDatabase &db, const QString &path, int version,
                              QString *error);
};

} // namespace loadscope
