/**
 * The AWS regions lakestack deploys to, in one place: `aws.region` and `state.region` are checked against
 * this list, so a typo is refused at validate instead of failing at apply. Only the `aws` partition: the
 * stacks write `arn:aws:…` ARNs, which GovCloud (`arn:aws-us-gov`) and China (`arn:aws-cn`) do not accept.
 *
 * A region AWS opened after this list was written is accepted with `aws.accept_unlisted_region: true`;
 * add it here when you can.
 */
export const AWS_REGIONS: readonly string[] = [
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "me-west-1",
  "mx-central-1",
  "sa-east-1",
  "sa-west-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
];

/** The shape every region name has, e.g. `eu-west-1`. */
export const REGION_SHAPE = /^[a-z]{2}-[a-z]+-\d{1,2}$/;

/** Partitions whose ARNs are not `arn:aws:`: recognised to say why they are refused. */
export const OTHER_PARTITIONS = /^(us-gov-|cn-|us-iso|eu-iso|eusc-)/;
