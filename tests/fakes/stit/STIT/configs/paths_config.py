## Pretrained models paths
e4e = './pretrained_models/e4e_ffhq_encode.pt'
stylegan2_ada_ffhq = 'pretrained_models/ffhq.pkl'

## Dirs for output files
checkpoints_dir = './checkpoints'

## Edit directions
interfacegan_folder = 'editings/w_directions/'
styleclip_fs3 = 'editings/styleclip_global/fs3.npy'
stylespace_mean_std = 'editings/styleclip_global/S_mean_std'

segmentation_model_path = 'pretrained_models/79999_iter.pth'

shape_predictor_path = 'pretrained_models/shape_predictor_68_face_landmarks.dat'
