#include "hs_cluster.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "hs_paths.h"

#define SOCK_FILE "/.s.PGSQL.5432"

/* FNV-1a: a stable short name for the fallback directories of one home. */
static uint64_t home_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* out = a + b, or an error naming `what` when it does not fit. */
static int join(char *out, size_t n, hs_err *err, const char *what, const char *a, const char *b)
{
    int len = snprintf(out, n, "%s%s", a, b);
    if (len < 0 || (size_t)len >= n)
        return hs_err_set(err, HS_ELIMIT, "%s path is longer than %zu bytes", what, n - 1);
    return HS_OK;
}

static int mkdir_p(const char *path, hs_err *err)
{
    char tmp[HS_CLUSTER_PATH_MAX];
    if (join(tmp, sizeof tmp, err, "HOTSPOT_HOME", path, "") < 0)
        return HS_ELIMIT;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
            return hs_err_set(err, HS_EIO, "cannot create directory %s: %s", tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
        return hs_err_set(err, HS_EIO, "cannot create directory %s: %s", tmp, strerror(errno));
    return HS_OK;
}

/* Becomes the server user in a forked child (what runuser would do, without PAM). */
static int become_server_user(const hs_cluster *c)
{
    if (!c->drop_privs)
        return 0;
    if (setgroups(0, NULL) < 0 || setgid(c->gid) < 0 || setuid(c->uid) < 0)
        return -1;
    return 0;
}

/* Runs argv[0] (an absolute path) as the server user with cwd "/" (the caller's
 * directory may be unreadable to postgres) and returns its exit status, or -1 if it
 * could not run. quiet: 1 discards stdout, 2 discards stdout and stderr. */
static int run(const hs_cluster *c, char *const argv[], int quiet)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (chdir("/") < 0 || become_server_user(c) < 0)
            _exit(126);
        if (quiet) {
            int fd = open("/dev/null", O_WRONLY);
            if (fd >= 0) {
                dup2(fd, STDOUT_FILENO);
                if (quiet > 1)
                    dup2(fd, STDERR_FILENO);
                close(fd);
            }
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Can the server user reach `path`? Checked in a child that drops privileges,
 * because access() as root always says yes. */
static int server_can_traverse(const hs_cluster *c, const char *path)
{
    if (!c->drop_privs)
        return 1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0) {
        if (become_server_user(c) < 0)
            _exit(2);
        _exit(access(path, X_OK) == 0 ? 0 : 1);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return 0;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int find_bindir(hs_cluster *c, hs_err *err)
{
    const char *env = getenv("HOTSPOT_PG_BINDIR");
    char probe[HS_CLUSTER_PATH_MAX + 16];
    if (env && *env)
        return join(c->bindir, sizeof c->bindir, err, "HOTSPOT_PG_BINDIR", env, "");
    if (access("/usr/lib/postgresql/15/bin/pg_ctl", X_OK) == 0)
        return join(c->bindir, sizeof c->bindir, err, "bindir", "/usr/lib/postgresql/15/bin", "");
    const char *path = getenv("PATH");
    while (path && *path) {
        size_t len = strcspn(path, ":");
        if (len > 0 && len < HS_CLUSTER_PATH_MAX) {
            snprintf(probe, sizeof probe, "%.*s/pg_ctl", (int)len, path);
            if (access(probe, X_OK) == 0) {
                snprintf(c->bindir, sizeof c->bindir, "%.*s", (int)len, path);
                return HS_OK;
            }
        }
        path += len + (path[len] == ':');
    }
    return hs_err_set(err, HS_ENOTFOUND,
                      "no PostgreSQL server binaries (pg_ctl): install postgresql-15 "
                      "(scripts/demo does) or set HOTSPOT_PG_BINDIR");
}

int hs_cluster_init(hs_cluster *c, hs_err *err)
{
    memset(c, 0, sizeof *c);
    char home[HS_CLUSTER_PATH_MAX];
    int rc = hs_paths_home(home, sizeof home, err);
    if (rc < 0)
        return rc;
    if ((rc = mkdir_p(home, err)) < 0)
        return rc;
    if (!realpath(home, c->home))
        return hs_err_set(err, HS_EIO, "HOTSPOT_HOME %s: %s", home, strerror(errno));

    c->uid = geteuid();
    c->gid = getegid();
    if (c->uid == 0) {
        struct passwd *pw = getpwnam("postgres");
        if (!pw)
            return hs_err_set(err, HS_ENOTFOUND,
                              "running as root, but there is no `postgres` user to run the "
                              "database server as (PostgreSQL refuses root); install "
                              "postgresql-15 or run as an ordinary user");
        c->drop_privs = 1;
        c->uid = pw->pw_uid;
        c->gid = pw->pw_gid;
    }
    if ((rc = find_bindir(c, err)) < 0)
        return rc;

    char base[HS_CLUSTER_PATH_MAX];
    uint64_t h = home_hash(c->home);
    if (server_can_traverse(c, c->home)) {
        snprintf(base, sizeof base, "%s", c->home);
    } else {
        snprintf(base, sizeof base, "/var/tmp/hotspot-%016llx", (unsigned long long)h);
        snprintf(c->data_note, sizeof c->data_note,
                 "the postgres user cannot traverse %.60s; %s/pgdata links here", c->home, "home");
    }
    if ((rc = join(c->datadir, sizeof c->datadir, err, "data directory", base, "/pgdata")) < 0 ||
        (rc = join(c->logfile, sizeof c->logfile, err, "log file", base, "/postgres.log")) < 0)
        return rc;

    char sock[HS_CLUSTER_PATH_MAX + 8];
    snprintf(sock, sizeof sock, "%s/run", base);
    if (strlen(sock) + strlen(SOCK_FILE) >= HS_CLUSTER_SOCK_MAX) {
        snprintf(sock, sizeof sock, "/tmp/hotspot-%016llx", (unsigned long long)h);
        snprintf(c->sock_note, sizeof c->sock_note,
                 "%s/run would exceed the %d-byte unix socket path limit", "home",
                 HS_CLUSTER_SOCK_MAX - 1);
    }
    memcpy(c->sockdir, sock, strlen(sock) + 1); /* fits: checked or fixed length above */
    return HS_OK;
}

/* A directory the server user owns with `mode`; refuses a symlink or someone
 * else's directory (it could be planted in /tmp). */
static int own_dir(const hs_cluster *c, const char *path, mode_t mode, hs_err *err)
{
    struct stat st;
    if (mkdir(path, mode) < 0 && errno != EEXIST)
        return hs_err_set(err, HS_EIO, "cannot create directory %s: %s", path, strerror(errno));
    if (lstat(path, &st) < 0)
        return hs_err_set(err, HS_EIO, "%s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return hs_err_set(err, HS_EIO, "%s exists and is not a directory", path);
    if (st.st_uid != c->uid) {
        if (geteuid() != 0 || chown(path, c->uid, c->gid) < 0)
            return hs_err_set(err, HS_EIO, "%s is owned by uid %u, not by the database user (uid %u)",
                              path, (unsigned)st.st_uid, (unsigned)c->uid);
    }
    if ((st.st_mode & 07777) != mode && chmod(path, mode) < 0)
        return hs_err_set(err, HS_EIO, "cannot chmod %s: %s", path, strerror(errno));
    return HS_OK;
}

/* Server settings live in their own file, rewritten at each start so a moved home
 * or socket fallback takes effect; postgresql.conf only includes it. */
static int write_settings(const hs_cluster *c, hs_err *err)
{
    char path[HS_CLUSTER_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/hotspot.conf", c->datadir);
    FILE *f = fopen(path, "w");
    if (!f)
        return hs_err_set(err, HS_EIO, "cannot write %s: %s", path, strerror(errno));
    fprintf(f, "# Written by hotspot at every `db start`; edit postgresql.conf instead.\n"
               "listen_addresses = ''\nunix_socket_permissions = 0700\n"
               "jit = off\n"
               "unix_socket_directories = '");
    for (const char *p = c->sockdir; *p; p++) {
        if (*p == '\'' || *p == '\\')
            fputc(*p, f);
        fputc(*p, f);
    }
    fprintf(f, "'\n");
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return hs_err_set(err, HS_EIO, "cannot write %s", path);
    if (c->drop_privs && chown(path, c->uid, c->gid) < 0)
        return hs_err_set(err, HS_EIO, "cannot chown %s: %s", path, strerror(errno));
    return HS_OK;
}

static int initdb(const hs_cluster *c, FILE *log, hs_err *err)
{
    char bin[HS_CLUSTER_PATH_MAX + 16];
    snprintf(bin, sizeof bin, "%s/initdb", c->bindir);
    if (log)
        fprintf(log, "hotspot: creating the database cluster in %s\n", c->datadir);
    char *argv[] = {bin, "-D", (char *)c->datadir, "-U", "hotspot", "--auth=trust",
                    "--encoding=UTF8", "--no-locale", "--no-instructions", NULL};
    int st = run(c, argv, 1);
    if (st != 0)
        return hs_err_set(err, HS_EDB, "initdb -D %s failed (exit %d); see the messages above",
                          c->datadir, st);
    char conf[HS_CLUSTER_PATH_MAX + 32];
    snprintf(conf, sizeof conf, "%s/postgresql.conf", c->datadir);
    FILE *f = fopen(conf, "a");
    if (!f)
        return hs_err_set(err, HS_EIO, "cannot append to %s: %s", conf, strerror(errno));
    fprintf(f, "\n# hotspot: socket-only settings, rewritten at each start\n"
               "include_if_exists = 'hotspot.conf'\n");
    if (fclose(f) != 0)
        return hs_err_set(err, HS_EIO, "cannot write %s", conf);
    return HS_OK;
}

/* Prepares the directories: home/pgdata (or the /var/tmp fallback and the symlink),
 * the socket directory and the log file, all owned by the server user. */
static int prepare_dirs(const hs_cluster *c, hs_err *err)
{
    int rc;
    char link[HS_CLUSTER_PATH_MAX + 16];
    snprintf(link, sizeof link, "%s/pgdata", c->home);
    if (c->data_note[0]) {
        char base[HS_CLUSTER_PATH_MAX];
        snprintf(base, sizeof base, "%s", c->datadir);
        *strrchr(base, '/') = '\0';
        if ((rc = own_dir(c, base, 0700, err)) < 0)
            return rc;
        struct stat st;
        if (lstat(link, &st) < 0) {
            if (symlink(c->datadir, link) < 0)
                return hs_err_set(err, HS_EIO, "cannot link %s -> %s: %s", link, c->datadir,
                                  strerror(errno));
        } else if (!S_ISLNK(st.st_mode)) {
            return hs_err_set(err, HS_EIO, "%s exists but the postgres user cannot reach it; "
                              "move it away or set HOTSPOT_HOME to a directory postgres can traverse",
                              link);
        }
    }
    if ((rc = own_dir(c, c->datadir, 0700, err)) < 0 || (rc = own_dir(c, c->sockdir, 0700, err)) < 0)
        return rc;
    int fd = open(c->logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return hs_err_set(err, HS_EIO, "cannot create %s: %s", c->logfile, strerror(errno));
    if (c->drop_privs && fchown(fd, c->uid, c->gid) < 0) {
        close(fd);
        return hs_err_set(err, HS_EIO, "cannot chown %s: %s", c->logfile, strerror(errno));
    }
    close(fd);
    return HS_OK;
}

int hs_cluster_running(const hs_cluster *c, hs_err *err)
{
    char bin[HS_CLUSTER_PATH_MAX + 16];
    snprintf(bin, sizeof bin, "%s/pg_ctl", c->bindir);
    char *argv[] = {bin, "status", "-D", (char *)c->datadir, NULL};
    int st = run(c, argv, 2);
    if (st == 0)
        return 1;
    if (st == 3 || st == 4)
        return 0;
    return hs_err_set(err, HS_EDB, "pg_ctl status -D %s failed (exit %d)", c->datadir, st);
}

int hs_cluster_format_conninfo(const hs_cluster *c, const char *dbname, char *out, size_t n,
                               hs_err *err)
{
    char host[2 * HS_CLUSTER_SOCK_MAX];
    size_t j = 0;
    for (const char *p = c->sockdir; *p && j + 2 < sizeof host; p++) {
        if (*p == '\'' || *p == '\\')
            host[j++] = '\\';
        host[j++] = *p;
    }
    host[j] = '\0';
    int len = snprintf(out, n, "host='%s' user=hotspot dbname=%s", host, dbname);
    if (len < 0 || (size_t)len >= n)
        return hs_err_set(err, HS_ELIMIT, "conninfo longer than %zu bytes", n - 1);
    return HS_OK;
}

static int create_database(const hs_cluster *c, FILE *log, hs_err *err)
{
    char ci[512];
    int rc = hs_cluster_format_conninfo(c, "postgres", ci, sizeof ci, err);
    if (rc < 0)
        return rc;
    PGconn *pg = PQconnectdb(ci);
    if (PQstatus(pg) != CONNECTION_OK) {
        rc = hs_err_set(err, HS_EDB, "cannot connect to the new cluster (%s): %s", ci,
                        PQerrorMessage(pg));
        PQfinish(pg);
        return rc;
    }
    PGresult *r = PQexec(pg, "SELECT 1 FROM pg_database WHERE datname = 'hotspot'");
    int exists = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
    PQclear(r);
    if (!exists) {
        if (log)
            fprintf(log, "hotspot: creating database hotspot\n");
        r = PQexec(pg, "CREATE DATABASE hotspot");
        /* A racing process may have created it meanwhile: duplicate_database is fine. */
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (PQresultStatus(r) != PGRES_COMMAND_OK && !(state && !strcmp(state, "42P04")))
            rc = hs_err_set(err, HS_EDB, "CREATE DATABASE hotspot: %s", PQresultErrorMessage(r));
        PQclear(r);
    }
    PQfinish(pg);
    return rc;
}

int hs_cluster_start(const hs_cluster *c, FILE *log, hs_err *err)
{
    /* One starter at a time: parallel test processes may all find it stopped. */
    char lockpath[HS_CLUSTER_PATH_MAX + 32];
    snprintf(lockpath, sizeof lockpath, "%s/.cluster.lock", c->home);
    int lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0)
        return hs_err_set(err, HS_EIO, "cannot open %s: %s", lockpath, strerror(errno));
    while (flock(lock, LOCK_EX) < 0 && errno == EINTR) {
    }

    int rc = prepare_dirs(c, err);
    char ver[HS_CLUSTER_PATH_MAX + 16];
    snprintf(ver, sizeof ver, "%s/PG_VERSION", c->datadir);
    if (rc == 0 && access(ver, F_OK) < 0)
        rc = initdb(c, log, err);
    if (rc == 0)
        rc = write_settings(c, err);
    int running = rc == 0 ? hs_cluster_running(c, err) : rc;
    if (running == 0) {
        if (log)
            fprintf(log, "hotspot: starting PostgreSQL (socket %s, log %s)\n", c->sockdir,
                    c->logfile);
        char bin[HS_CLUSTER_PATH_MAX + 16];
        snprintf(bin, sizeof bin, "%s/pg_ctl", c->bindir);
        char *argv[] = {bin, "start", "-w", "-t", "120", "-s", "-D", (char *)c->datadir,
                        "-l", (char *)c->logfile, NULL};
        int st = run(c, argv, 1);
        if (st != 0)
            rc = hs_err_set(err, HS_EDB, "pg_ctl start failed (exit %d); see %s", st, c->logfile);
    } else if (running < 0) {
        rc = running;
    }
    if (rc == 0)
        rc = create_database(c, log, err);
    close(lock);
    return rc;
}

int hs_cluster_stop(const hs_cluster *c, FILE *log, hs_err *err)
{
    int running = hs_cluster_running(c, err);
    if (running <= 0) {
        if (running == 0 && log)
            fprintf(log, "hotspot: the database is not running\n");
        return running < 0 ? running : HS_OK;
    }
    char bin[HS_CLUSTER_PATH_MAX + 16];
    snprintf(bin, sizeof bin, "%s/pg_ctl", c->bindir);
    char *argv[] = {bin, "stop", "-w", "-s", "-m", "fast", "-D", (char *)c->datadir, NULL};
    int st = run(c, argv, 1);
    if (st != 0)
        return hs_err_set(err, HS_EDB, "pg_ctl stop failed (exit %d); see %s", st, c->logfile);
    if (log)
        fprintf(log, "hotspot: database stopped\n");
    return HS_OK;
}

void hs_cluster_print_status(const hs_cluster *c, int running, FILE *out)
{
    char ci[512];
    fprintf(out, "home:      %s\n", c->home);
    fprintf(out, "data:      %s%s%s%s\n", c->datadir, c->data_note[0] ? " (" : "", c->data_note,
            c->data_note[0] ? ")" : "");
    fprintf(out, "socket:    %s%s%s%s\n", c->sockdir, c->sock_note[0] ? " (" : "", c->sock_note,
            c->sock_note[0] ? ")" : "");
    fprintf(out, "log:       %s\n", c->logfile);
    fprintf(out, "binaries:  %s\n", c->bindir);
    if (c->drop_privs)
        fprintf(out, "runs as:   postgres (uid %u)\n", (unsigned)c->uid);
    fprintf(out, "state:     %s\n", running ? "running" : "stopped");
    if (hs_cluster_format_conninfo(c, "hotspot", ci, sizeof ci, NULL) == 0)
        fprintf(out, "conninfo:  %s\n", ci);
}

int hs_cluster_conninfo(char *out, size_t n, hs_err *err)
{
    hs_cluster c;
    int rc = hs_cluster_init(&c, err);
    if (rc < 0)
        return rc;
    if ((rc = hs_cluster_start(&c, stderr, err)) < 0)
        return hs_err_prefix(err, "embedded database under %s: ", c.home);
    return hs_cluster_format_conninfo(&c, "hotspot", out, n, err);
}
