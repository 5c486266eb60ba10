/* hs_gdal: GDAL, loaded with dlopen the first time a command needs it.
 *
 * libgdal pulls in about 110 shared libraries (HDF5, Poppler, Xerces, ICU, ...);
 * loading and relocating them was 35-60 ms of every process start, most of
 * `hotspot analyze`'s start-up, although only import, GeoJSON/GeoPackage export and
 * the tile geometry store use GDAL. So the hotspot binary does not link it: the GDAL
 * functions it calls are a table of pointers resolved with dlsym from HS_GDAL_SONAME
 * (the library found at build time), and the macros below make the unchanged GDAL
 * calls in those modules go through that table. A GDAL function not listed here fails
 * the link (nothing else defines it), so the list cannot silently fall behind.
 *
 * The table is filled once (pthread_once, which also runs GDALAllRegister) and never
 * written again. Modules include this header instead of GDAL's own.
 */
#ifndef HS_GDAL_H
#define HS_GDAL_H

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "hs_err.h"

#define HS_GDAL_FUNCS(X) \
    X(CPLErrorReset) \
    X(CPLGetErrorHandlerUserData) \
    X(CPLGetLastErrorMsg) \
    X(CPLGetLastErrorType) \
    X(CPLPopErrorHandler) \
    X(CPLPushErrorHandlerEx) \
    X(GDALAllRegister) \
    X(GDALClose) \
    X(GDALCreate) \
    X(GDALDatasetCommitTransaction) \
    X(GDALDatasetCreateLayer) \
    X(GDALDatasetGetLayer) \
    X(GDALDatasetGetLayerByName) \
    X(GDALDatasetGetLayerCount) \
    X(GDALDatasetStartTransaction) \
    X(GDALGetDriverByName) \
    X(GDALOpenEx) \
    X(GDALSetMetadataItem) \
    X(OCTDestroyCoordinateTransformation) \
    X(OCTNewCoordinateTransformation) \
    X(OGRGeometryTypeToName) \
    X(OGR_FD_GetFieldCount) \
    X(OGR_FD_GetFieldDefn) \
    X(OGR_FD_GetFieldIndex) \
    X(OGR_F_Create) \
    X(OGR_F_Destroy) \
    X(OGR_F_GetFID) \
    X(OGR_F_GetFieldAsDouble) \
    X(OGR_F_GetFieldAsString) \
    X(OGR_F_GetFieldDefnRef) \
    X(OGR_F_GetGeometryRef) \
    X(OGR_F_IsFieldSetAndNotNull) \
    X(OGR_F_SetFieldDouble) \
    X(OGR_F_SetFieldInteger64) \
    X(OGR_F_SetFieldNull) \
    X(OGR_F_SetFieldString) \
    X(OGR_F_SetGeometryDirectly) \
    X(OGR_Fld_Create) \
    X(OGR_Fld_Destroy) \
    X(OGR_Fld_GetNameRef) \
    X(OGR_Fld_GetType) \
    X(OGR_G_Clone) \
    X(OGR_G_CreateFromWkb) \
    X(OGR_G_DestroyGeometry) \
    X(OGR_G_ExportToWkb) \
    X(OGR_G_FlattenTo2D) \
    X(OGR_G_ForceToMultiPolygon) \
    X(OGR_G_GetEnvelope) \
    X(OGR_G_GetGeometryCount) \
    X(OGR_G_GetGeometryRef) \
    X(OGR_G_GetGeometryType) \
    X(OGR_G_GetPointCount) \
    X(OGR_G_GetPoints) \
    X(OGR_G_GetX) \
    X(OGR_G_GetY) \
    X(OGR_G_IsEmpty) \
    X(OGR_G_Transform) \
    X(OGR_G_WkbSize) \
    X(OGR_GT_Flatten) \
    X(OGR_L_CreateFeature) \
    X(OGR_L_CreateField) \
    X(OGR_L_GetExtent) \
    X(OGR_L_GetLayerDefn) \
    X(OGR_L_GetName) \
    X(OGR_L_GetNextFeature) \
    X(OGR_L_GetSpatialRef) \
    X(OGR_L_ResetReading) \
    X(OSRClone) \
    X(OSRDestroySpatialReference) \
    X(OSRGetAuthorityCode) \
    X(OSRGetAuthorityName) \
    X(OSRGetName) \
    X(OSRImportFromEPSG) \
    X(OSRIsSame) \
    X(OSRNewSpatialReference) \
    X(OSRRelease) \
    X(OSRSetAxisMappingStrategy) \
    X(VSIGetMemFileBuffer) \
    X(VSIUnlink)

typedef struct hs_gdal_api {
#define HS_GDAL_FIELD(name) __typeof__(&name) name;
    HS_GDAL_FUNCS(HS_GDAL_FIELD)
#undef HS_GDAL_FIELD
} hs_gdal_api;

/* Loads GDAL and registers its drivers (once; later calls only report). HS_EGEO names
 * the library and dlopen's reason when it cannot be loaded. */
int hs_gdal_load(hs_err *err);

/* The loaded table; loads on first use and exits with that message if GDAL cannot be
 * loaded (the entry points call hs_gdal_load first, so that is a last resort). */
const hs_gdal_api *hs_gdal(void);

#ifndef HS_GDAL_IMPL
#define CPLErrorReset (hs_gdal()->CPLErrorReset)
#define CPLGetErrorHandlerUserData (hs_gdal()->CPLGetErrorHandlerUserData)
#define CPLGetLastErrorMsg (hs_gdal()->CPLGetLastErrorMsg)
#define CPLGetLastErrorType (hs_gdal()->CPLGetLastErrorType)
#define CPLPopErrorHandler (hs_gdal()->CPLPopErrorHandler)
#define CPLPushErrorHandlerEx (hs_gdal()->CPLPushErrorHandlerEx)
#define GDALAllRegister (hs_gdal()->GDALAllRegister)
#define GDALClose (hs_gdal()->GDALClose)
#define GDALCreate (hs_gdal()->GDALCreate)
#define GDALDatasetCommitTransaction (hs_gdal()->GDALDatasetCommitTransaction)
#define GDALDatasetCreateLayer (hs_gdal()->GDALDatasetCreateLayer)
#define GDALDatasetGetLayer (hs_gdal()->GDALDatasetGetLayer)
#define GDALDatasetGetLayerByName (hs_gdal()->GDALDatasetGetLayerByName)
#define GDALDatasetGetLayerCount (hs_gdal()->GDALDatasetGetLayerCount)
#define GDALDatasetStartTransaction (hs_gdal()->GDALDatasetStartTransaction)
#define GDALGetDriverByName (hs_gdal()->GDALGetDriverByName)
#define GDALOpenEx (hs_gdal()->GDALOpenEx)
#define GDALSetMetadataItem (hs_gdal()->GDALSetMetadataItem)
#define OCTDestroyCoordinateTransformation (hs_gdal()->OCTDestroyCoordinateTransformation)
#define OCTNewCoordinateTransformation (hs_gdal()->OCTNewCoordinateTransformation)
#define OGRGeometryTypeToName (hs_gdal()->OGRGeometryTypeToName)
#define OGR_FD_GetFieldCount (hs_gdal()->OGR_FD_GetFieldCount)
#define OGR_FD_GetFieldDefn (hs_gdal()->OGR_FD_GetFieldDefn)
#define OGR_FD_GetFieldIndex (hs_gdal()->OGR_FD_GetFieldIndex)
#define OGR_F_Create (hs_gdal()->OGR_F_Create)
#define OGR_F_Destroy (hs_gdal()->OGR_F_Destroy)
#define OGR_F_GetFID (hs_gdal()->OGR_F_GetFID)
#define OGR_F_GetFieldAsDouble (hs_gdal()->OGR_F_GetFieldAsDouble)
#define OGR_F_GetFieldAsString (hs_gdal()->OGR_F_GetFieldAsString)
#define OGR_F_GetFieldDefnRef (hs_gdal()->OGR_F_GetFieldDefnRef)
#define OGR_F_GetGeometryRef (hs_gdal()->OGR_F_GetGeometryRef)
#define OGR_F_IsFieldSetAndNotNull (hs_gdal()->OGR_F_IsFieldSetAndNotNull)
#define OGR_F_SetFieldDouble (hs_gdal()->OGR_F_SetFieldDouble)
#define OGR_F_SetFieldInteger64 (hs_gdal()->OGR_F_SetFieldInteger64)
#define OGR_F_SetFieldNull (hs_gdal()->OGR_F_SetFieldNull)
#define OGR_F_SetFieldString (hs_gdal()->OGR_F_SetFieldString)
#define OGR_F_SetGeometryDirectly (hs_gdal()->OGR_F_SetGeometryDirectly)
#define OGR_Fld_Create (hs_gdal()->OGR_Fld_Create)
#define OGR_Fld_Destroy (hs_gdal()->OGR_Fld_Destroy)
#define OGR_Fld_GetNameRef (hs_gdal()->OGR_Fld_GetNameRef)
#define OGR_Fld_GetType (hs_gdal()->OGR_Fld_GetType)
#define OGR_G_Clone (hs_gdal()->OGR_G_Clone)
#define OGR_G_CreateFromWkb (hs_gdal()->OGR_G_CreateFromWkb)
#define OGR_G_DestroyGeometry (hs_gdal()->OGR_G_DestroyGeometry)
#define OGR_G_ExportToWkb (hs_gdal()->OGR_G_ExportToWkb)
#define OGR_G_FlattenTo2D (hs_gdal()->OGR_G_FlattenTo2D)
#define OGR_G_ForceToMultiPolygon (hs_gdal()->OGR_G_ForceToMultiPolygon)
#define OGR_G_GetEnvelope (hs_gdal()->OGR_G_GetEnvelope)
#define OGR_G_GetGeometryCount (hs_gdal()->OGR_G_GetGeometryCount)
#define OGR_G_GetGeometryRef (hs_gdal()->OGR_G_GetGeometryRef)
#define OGR_G_GetGeometryType (hs_gdal()->OGR_G_GetGeometryType)
#define OGR_G_GetPointCount (hs_gdal()->OGR_G_GetPointCount)
#define OGR_G_GetPoints (hs_gdal()->OGR_G_GetPoints)
#define OGR_G_GetX (hs_gdal()->OGR_G_GetX)
#define OGR_G_GetY (hs_gdal()->OGR_G_GetY)
#define OGR_G_IsEmpty (hs_gdal()->OGR_G_IsEmpty)
#define OGR_G_Transform (hs_gdal()->OGR_G_Transform)
#define OGR_G_WkbSize (hs_gdal()->OGR_G_WkbSize)
#define OGR_GT_Flatten (hs_gdal()->OGR_GT_Flatten) /* inside wkbFlatten */
#define OGR_L_CreateFeature (hs_gdal()->OGR_L_CreateFeature)
#define OGR_L_CreateField (hs_gdal()->OGR_L_CreateField)
#define OGR_L_GetExtent (hs_gdal()->OGR_L_GetExtent)
#define OGR_L_GetLayerDefn (hs_gdal()->OGR_L_GetLayerDefn)
#define OGR_L_GetName (hs_gdal()->OGR_L_GetName)
#define OGR_L_GetNextFeature (hs_gdal()->OGR_L_GetNextFeature)
#define OGR_L_GetSpatialRef (hs_gdal()->OGR_L_GetSpatialRef)
#define OGR_L_ResetReading (hs_gdal()->OGR_L_ResetReading)
#define OSRClone (hs_gdal()->OSRClone)
#define OSRDestroySpatialReference (hs_gdal()->OSRDestroySpatialReference)
#define OSRGetAuthorityCode (hs_gdal()->OSRGetAuthorityCode)
#define OSRGetAuthorityName (hs_gdal()->OSRGetAuthorityName)
#define OSRGetName (hs_gdal()->OSRGetName)
#define OSRImportFromEPSG (hs_gdal()->OSRImportFromEPSG)
#define OSRIsSame (hs_gdal()->OSRIsSame)
#define OSRNewSpatialReference (hs_gdal()->OSRNewSpatialReference)
#define OSRRelease (hs_gdal()->OSRRelease)
#define OSRSetAxisMappingStrategy (hs_gdal()->OSRSetAxisMappingStrategy)
#define VSIGetMemFileBuffer (hs_gdal()->VSIGetMemFileBuffer)
#define VSIUnlink (hs_gdal()->VSIUnlink)
#endif

#endif
