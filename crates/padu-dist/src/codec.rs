//! How Padu's plan nodes travel between processes: Ballista ships plans as
//! protobuf, and a node it does not know (a key table, its scan) is bytes
//! that a codec writes and reads. These codecs handle Padu's nodes and hand
//! everything else to Ballista's own.
//!
//! Padu's bytes start with a zero byte, which no protobuf message starts
//! with (field number 0 does not exist), so the two never collide.

use std::any::Any;
use std::sync::Arc;

use ballista_core::serde::{BallistaLogicalExtensionCodec, BallistaPhysicalExtensionCodec};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::TableProvider;
use datafusion::common::{DataFusionError, Result, TableReference};
use datafusion::datasource::file_format::FileFormatFactory;
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{Extension, LogicalPlan};
use datafusion::physical_plan::ExecutionPlan;
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use datafusion_proto::physical_plan::{PhysicalExtensionCodec, PhysicalProtoConverterExtension};

use crate::keys::{KeysExec, KeysSpec, KeysTable};

const MAGIC: &[u8] = b"\0PADU1";

fn encode(spec: &KeysSpec, buf: &mut Vec<u8>) -> Result<()> {
    buf.extend_from_slice(MAGIC);
    serde_json::to_writer(buf, spec).map_err(|e| DataFusionError::External(Box::new(e)))
}

fn decode(buf: &[u8]) -> Option<Result<KeysSpec>> {
    let body = buf.strip_prefix(MAGIC)?;
    Some(serde_json::from_slice(body).map_err(|e| DataFusionError::External(Box::new(e))))
}

/// Logical plans (client to scheduler): key tables, then Ballista's nodes.
#[derive(Debug, Default)]
pub struct LogicalCodec(BallistaLogicalExtensionCodec);

impl LogicalExtensionCodec for LogicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[LogicalPlan],
        ctx: &TaskContext,
    ) -> Result<Extension> {
        self.0.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> Result<()> {
        self.0.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: SchemaRef,
        ctx: &TaskContext,
    ) -> Result<Arc<dyn TableProvider>> {
        match decode(buf) {
            Some(spec) => Ok(Arc::new(KeysTable(spec?))),
            None => self
                .0
                .try_decode_table_provider(buf, table_ref, schema, ctx),
        }
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        match (node.as_ref() as &dyn Any).downcast_ref::<KeysTable>() {
            Some(t) => encode(&t.0, buf),
            None => self.0.try_encode_table_provider(table_ref, node, buf),
        }
    }

    fn try_decode_file_format(
        &self,
        buf: &[u8],
        ctx: &TaskContext,
    ) -> Result<Arc<dyn FileFormatFactory>> {
        self.0.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(
        &self,
        buf: &mut Vec<u8>,
        node: Arc<dyn FileFormatFactory>,
    ) -> Result<()> {
        self.0.try_encode_file_format(buf, node)
    }
}

/// Physical plans (scheduler to executors): key scans, then Ballista's nodes.
#[derive(Debug, Default)]
pub struct PhysicalCodec(BallistaPhysicalExtensionCodec);

impl PhysicalExtensionCodec for PhysicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[Arc<dyn ExecutionPlan>],
        ctx: &TaskContext,
        converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        match decode(buf) {
            Some(spec) => match inputs {
                [input] => Ok(Arc::new(KeysExec::new(spec?, Arc::clone(input)))),
                _ => datafusion::common::internal_err!("PaduKeysExec takes one input"),
            },
            None => self.0.try_decode(buf, inputs, ctx, converter),
        }
    }

    fn try_encode(
        &self,
        node: Arc<dyn ExecutionPlan>,
        buf: &mut Vec<u8>,
        converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<()> {
        match node.downcast_ref::<KeysExec>() {
            Some(exec) => encode(exec.spec(), buf),
            None => self.0.try_encode(node, buf, converter),
        }
    }
}
