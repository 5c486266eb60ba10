/* Request helpers of hs_req.h. */
#include "hs_req.h"

#include <libpq-fe.h>
#include <string.h>

#include "hs_dbpool.h"

const char *hs_req_param(const hs_req *req, const char *name)
{
    for (size_t i = 0; i < req->nparams; i++)
        if (!strcmp(req->param_name[i], name))
            return req->param_value[i];
    return NULL;
}

const char *hs_req_header(const hs_req *req, const char *name)
{
    return req->header_fn ? req->header_fn(req->header_ctx, name) : NULL;
}

int hs_req_db(hs_req *req, PGconn **out, hs_err *err)
{
    if (req->conn) {
        *out = req->conn;
        return HS_OK;
    }
    if (!req->svc || !req->svc->db)
        return hs_err_set(err, HS_EDB, "no database configured");
    /* Handlers only read: the replica when there is one, at the request's version. */
    int rc = hs_dbpool_acquire_read(req->svc->db, req->data_version, &req->conn, err);
    *out = req->conn;
    return rc;
}

int hs_req_db_again(hs_req *req, struct pg_conn **out, hs_err *err)
{
    if (req->conn && req->svc && req->svc->db)
        hs_dbpool_release(req->svc->db, req->conn); /* closed by the pool if broken */
    req->conn = NULL;
    return hs_req_db(req, out, err);
}
