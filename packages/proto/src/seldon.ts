// Seldon Core v1, package `seldon.protos`: SeldonMessage and the Model/Generic/Router/Transformer/
// OutputTransformer/Combiner/Seldon services.
export * from "./gen/seldon/protos/prediction_pb.js";
